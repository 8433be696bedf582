/* libFuzzer harness for core/csv: any bytes must parse or fail cleanly, within the limits. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("csv", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
        __builtin_trap();
    struct souk_csv *csv = souk_csv_open_fd(fd, 256, 1024);
    struct souk_err err = SOUK_ERR_INIT;
    size_t total = 0;
    while (souk_csv_next(csv, &err) == 1) {
        for (size_t i = 0; i < souk_csv_field_count(csv); i++) {
            struct souk_str f = souk_csv_field(csv, i);
            if (f.len > 256)
                __builtin_trap(); /* the field limit held */
            total += f.len;
        }
        if (total > size)
            __builtin_trap(); /* unquoting never invents bytes */
        (void)souk_csv_header_index(csv, "Handle");
    }
    souk_csv_close(csv);
    close(fd);
    return 0;
}
