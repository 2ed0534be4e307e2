//! x87 80-bit `long double` arithmetic for INCRBYFLOAT (being written: see issue 2).
