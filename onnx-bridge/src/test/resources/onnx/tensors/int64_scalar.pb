:
ÿÿÿÿÿÿÿÿÿBint64_scalar