#ifndef LICMGR_CFUZZER_SHIM_H
#define LICMGR_CFUZZER_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver, linked in by -sanitize=fuzzer only. Weak, so that a plain build links
   too: there the address is null and licmgr-fuzz replays files instead. */
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size))
    __attribute__((weak));

static inline int licmgr_fuzzer_linked(void) {
    return LLVMFuzzerRunDriver != NULL;
}

static inline int licmgr_run_fuzzer(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(argc, argv, test);
}

#endif
