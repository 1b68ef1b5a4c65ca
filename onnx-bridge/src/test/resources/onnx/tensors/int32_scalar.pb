*
ÿÿÿÿÿÿÿÿÿBint32_scalar