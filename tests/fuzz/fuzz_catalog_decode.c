/* libFuzzer harness for the catalog's JSON decoder and encoder: any JSON decodes or fails with
 * a reason, and whatever decodes encodes again. */
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!in)
        return 0;
    struct souk_pool *pool = souk_pool_new();
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_product *p = souk_pool_alloc(pool, sizeof *p);
    int rc = souk_catalog_product_decode(pool, in, SOUK_CATALOG_CREATE, p, &err);
    if (rc != SOUK_OK && err.message[0] == '\0')
        __builtin_trap(); /* every refusal says why */
    if (rc == SOUK_OK)
        json_decref(souk_catalog_product_encode(p));
    rc = souk_catalog_product_decode(pool, in, SOUK_CATALOG_PATCH, p, &err);
    struct souk_variant *v = souk_pool_alloc(pool, sizeof *v);
    rc = souk_catalog_variant_decode(pool, in, SOUK_CATALOG_CREATE, v, "", &err);
    if (rc == SOUK_OK)
        json_decref(souk_catalog_variant_encode(v));
    struct souk_warehouse *w = souk_pool_alloc(pool, sizeof *w);
    (void)souk_catalog_warehouse_decode(pool, in, SOUK_CATALOG_CREATE, w, &err);
    souk_pool_free(pool);
    json_decref(in);
    return 0;
}
