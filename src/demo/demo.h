/*
 * demo: the demo store `make run` starts with: two warehouses, 36 products with variants,
 * prices in EUR, USD and JPY, translations into German and Brazilian Portuguese, and stock.
 * Built through the catalog module like any import, so it passes the same validation.
 * Depends on catalog/ and db/.
 */
#ifndef SOUK_DEMO_DEMO_H
#define SOUK_DEMO_DEMO_H

#include "core/err.h"
#include "db/db.h"

/* Seeds the demo catalog in one transaction when the store has no products; else does nothing. */
int souk_demo_seed(struct souk_db *db, struct souk_err *err) SOUK_MUST_CHECK;

#endif
