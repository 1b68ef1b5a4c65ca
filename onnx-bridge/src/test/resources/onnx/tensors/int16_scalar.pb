*
ÿÿÿÿÿÿÿÿÿBint16_scalar