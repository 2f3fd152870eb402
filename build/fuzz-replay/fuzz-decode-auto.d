build/fuzz-replay/fuzz-decode-auto: fuzz/replay-main.c
