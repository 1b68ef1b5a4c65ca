*
ÿÿÿÿÿÿÿÿÿBint8_scalar