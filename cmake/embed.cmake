# Turns the file IN into a C++ source OUT defining SYM[] and SYM_size (null-terminated too).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "#include <cstddef>\nextern const unsigned char ${SYM}[] = {${bytes}0x00};\nextern const std::size_t ${SYM}_size = ${size};\n")
