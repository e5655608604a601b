#ifndef CATHAMMER_CFUZZERDRIVER_H
#define CATHAMMER_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that own main(); provided by -sanitize=fuzzer.
// Swift cannot name the C callback type through a typedef'd pointer cleanly, so it is spelled out.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
