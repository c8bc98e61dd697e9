#include "CLibFuzzer.h"

#include <stdlib.h>

void cachet_fuzz_main(int argc, char **argv, CachetFuzzCallback callback) {
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback));
}
