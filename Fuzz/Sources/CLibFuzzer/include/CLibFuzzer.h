#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

typedef int (*CachetFuzzCallback)(const uint8_t *_Nonnull data, size_t size);

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`): parses libFuzzer's flags
/// from the command line and runs `callback` on every input.
int LLVMFuzzerRunDriver(int *_Nonnull argc, char *_Nullable *_Nonnull *_Nonnull argv, CachetFuzzCallback _Nonnull callback);

/// Runs libFuzzer's driver and exits with its status. SwiftPM links an executable target's
/// top-level code as `main`, which hides libFuzzer's own `main`; each fuzz target's top-level
/// code calls this instead.
__attribute__((noreturn)) void cachet_fuzz_main(int argc, char *_Nullable *_Nonnull argv, CachetFuzzCallback _Nonnull callback);

#endif
