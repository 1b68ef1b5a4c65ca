
*€Bfloat16_scalar