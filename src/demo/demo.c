/* demo: see demo.h. The catalog is generated from a few small tables. */
#include "demo/demo.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/gtin.h"
#include "core/log.h"

struct demo_item {
    const char *title, *title_de, *title_pt, *type, *google_category;
    int64_t price_eur; /* minor units */
    const char *option;  /* NULL for a single-variant product */
    const char *values[4];
};

static const struct demo_item items[] = {
    {"Linen shirt", "Leinenhemd", "Camisa de linho", "Shirts", "212", 5900, "Size",
     {"S", "M", "L", "XL"}},
    {"Organic cotton tee", "Bio-Baumwoll-T-Shirt", "Camiseta de algodão orgânico", "T-shirts",
     "212", 2500, "Size", {"S", "M", "L"}},
    {"Merino hoodie", "Merino-Kapuzenpullover", "Moletom de merino", "Sweaters", "212", 11900,
     "Size", {"S", "M", "L"}},
    {"Denim jacket", "Jeansjacke", "Jaqueta jeans", "Outerwear", "203", 12900, "Size",
     {"M", "L"}},
    {"Canvas tote bag", "Canvas-Tragetasche", "Bolsa de lona", "Bags", "3032", 1900, NULL, {0}},
    {"Leather card holder", "Leder-Kartenetui", "Porta-cartões de couro", "Accessories", "6552",
     3500, "Color", {"Black", "Tan"}},
    {"Wool beanie", "Wollmütze", "Gorro de lã", "Hats", "173", 2900, "Color",
     {"Grey", "Navy", "Ochre"}},
    {"Silk scarf", "Seidenschal", "Lenço de seda", "Scarves", "177", 6900, NULL, {0}},
    {"Running socks", "Laufsocken", "Meias de corrida", "Socks", "209", 1500, "Size",
     {"39-42", "43-46"}},
    {"Ceramic mug", "Keramikbecher", "Caneca de cerâmica", "Kitchen", "2169", 1800, "Color",
     {"White", "Sage"}},
    {"Pour-over coffee set", "Pour-over-Kaffeeset", "Kit de café coado", "Kitchen", "3838",
     4900, NULL, {0}},
    {"Cast iron skillet", "Gusseisenpfanne", "Frigideira de ferro fundido", "Kitchen", "654",
     5400, "Size", {"20 cm", "26 cm"}},
    {"Linen napkins", "Leinenservietten", "Guardanapos de linho", "Table linen", "4143", 2400,
     NULL, {0}},
    {"Scented candle", "Duftkerze", "Vela aromática", "Home fragrance", "588", 2200, "Scent",
     {"Cedar", "Fig", "Sea salt"}},
    {"Wool throw blanket", "Wolldecke", "Manta de lã", "Blankets", "1985", 8900, "Color",
     {"Oat", "Charcoal"}},
    {"Bamboo cutting board", "Bambus-Schneidebrett", "Tábua de bambu", "Kitchen", "668", 2700,
     NULL, {0}},
    {"Glass water carafe", "Glaskaraffe", "Jarra de vidro", "Kitchen", "2169", 2100, NULL, {0}},
    {"Stoneware plate set", "Steingut-Tellerset", "Conjunto de pratos de grés", "Tableware",
     "674", 6400, NULL, {0}},
    {"Hand cream", "Handcreme", "Creme para as mãos", "Skin care", "2958", 1200, "Size",
     {"30 ml", "75 ml"}},
    {"Face serum", "Gesichtsserum", "Sérum facial", "Skin care", "2958", 3900, NULL, {0}},
    {"Shampoo bar", "Festes Shampoo", "Shampoo em barra", "Hair care", "2441", 1100, "Scent",
     {"Rosemary", "Citrus"}},
    {"Lip balm", "Lippenbalsam", "Bálsamo labial", "Lip care", "2645", 600, NULL, {0}},
    {"Body oil", "Körperöl", "Óleo corporal", "Skin care", "2958", 2800, NULL, {0}},
    {"Bath salts", "Badesalz", "Sais de banho", "Bath", "2707", 1600, "Scent",
     {"Lavender", "Eucalyptus"}},
    {"Yoga mat", "Yogamatte", "Tapete de yoga", "Fitness", "3422", 4500, "Color",
     {"Moss", "Clay"}},
    {"Water bottle", "Trinkflasche", "Garrafa de água", "Fitness", "2167", 2400, "Size",
     {"500 ml", "750 ml"}},
    {"Resistance bands", "Widerstandsbänder", "Faixas elásticas", "Fitness", "990", 1900, NULL,
     {0}},
    {"Trail cap", "Trail-Kappe", "Boné de trilha", "Hats", "173", 2600, NULL, {0}},
    {"Notebook A5", "Notizbuch A5", "Caderno A5", "Stationery", "543", 1400, "Paper",
     {"Dotted", "Lined", "Blank"}},
    {"Fountain pen", "Füllfederhalter", "Caneta-tinteiro", "Stationery", "977", 3200, NULL, {0}},
    {"Desk lamp", "Schreibtischlampe", "Luminária de mesa", "Lighting", "4636", 7900, NULL, {0}},
    {"Plant pot", "Blumentopf", "Vaso de planta", "Garden", "721", 1700, "Size",
     {"Small", "Large"}},
    {"Wireless earbuds", "Kabellose Ohrhörer", "Fones sem fio", "Audio", "505771", 8900,
     "Color", {"Black", "White"}},
    {"Phone case", "Handyhülle", "Capa de celular", "Phone accessories", "2353", 1900, "Model",
     {"Model A", "Model B"}},
    {"Travel adapter", "Reiseadapter", "Adaptador de viagem", "Electronics", "7182", 2300, NULL,
     {0}},
    {"Sunglasses", "Sonnenbrille", "Óculos de sol", "Eyewear", "178", 9900, NULL, {0}},
};
#define NITEMS (sizeof items / sizeof items[0])

static char *slug(struct souk_pool *pool, const char *title)
{
    char *out = souk_pool_alloc(pool, strlen(title) + 1);
    size_t n = 0;
    for (const char *c = title; *c; c++) {
        char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[n++] = ch;
        else if (n && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    return out;
}

static int seed_warehouses(struct souk_db_conn *conn, struct souk_pool *pool,
                           struct souk_err *err)
{
    struct souk_warehouse w[] = {
        {.code = "berlin", .name = "Berlin fulfilment centre", .country = "DE"},
        {.code = "newark", .name = "Newark fulfilment centre", .country = "US"},
    };
    int rc = SOUK_OK;
    for (size_t i = 0; i < 2 && rc == SOUK_OK; i++)
        rc = souk_catalog_warehouse_create(conn, pool, &w[i], err);
    return rc;
}

static void fill_variant(struct souk_pool *pool, const struct demo_item *item, size_t index,
                         size_t v_index, struct souk_variant *v)
{
    static const char *const warehouse_codes[] = {"berlin", "newark"};
    v->sku = souk_pool_printf(pool, "DEMO-%02zu-%zu", index + 1, v_index + 1);
    /* GTIN-13 from a fictitious company prefix, check digit computed as GS1 defines it. */
    char base[32];
    snprintf(base, sizeof base, "2000%03zu%05zu", index + 1, v_index + 1);
    v->gtin = souk_pool_printf(pool, "%s%d", base, souk_gtin_check_digit(souk_str_from(base)));
    if (item->option)
        v->options[0] = (char *)item->values[v_index];
    v->position = (int64_t)v_index + 1;
    v->weight_grams = 150 + (int64_t)(index * 37 % 900);
    /* The packed size, which TikTok Shop needs for US, UK, MY and SG shops. */
    v->length_mm = 250 + (int64_t)(index * 13 % 150);
    v->width_mm = 180 + (int64_t)(index * 7 % 100);
    v->height_mm = 30 + (int64_t)(index * 11 % 90);
    v->low_stock_threshold = SOUK_CATALOG_UNSET;
    v->nprices = 3;
    v->prices = souk_pool_alloc(pool, 3 * sizeof *v->prices);
    /* EUR list price; USD about 8% higher and ending in .99; JPY in whole yen. */
    int64_t eur = item->price_eur, usd = (eur * 108 / 100) / 100 * 100 + 99;
    int64_t jpy = eur * 162 / 100 / 10 * 10;
    const struct souk_price prices[] = {
        {"EUR", eur, v_index == 0 ? eur + eur / 4 : SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET,
         SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET},
        {"JPY", jpy, SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET,
         SOUK_CATALOG_UNSET},
        {"USD", usd, SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET, SOUK_CATALOG_UNSET,
         SOUK_CATALOG_UNSET},
    };
    memcpy(v->prices, prices, sizeof prices);
    v->nstock = 2;
    v->stock = souk_pool_alloc(pool, 2 * sizeof *v->stock);
    for (size_t w = 0; w < 2; w++) {
        v->stock[w].warehouse_code = (char *)warehouse_codes[w];
        v->stock[w].on_hand = (int64_t)((index * 7 + v_index * 13 + w * 5) % 40);
    }
}

static int seed_product(struct souk_db_conn *conn, struct souk_pool *pool, size_t index,
                        struct souk_err *err)
{
    const struct demo_item *item = &items[index];
    struct souk_product *p = souk_pool_alloc(pool, sizeof *p);
    p->handle = slug(pool, item->title);
    p->status = index % 12 == 11 ? "draft" : "active";
    p->title = (char *)item->title;
    p->description = souk_pool_printf(pool, "<p>%s from the souk demo store.</p>", item->title);
    p->brand = "Souk Demo";
    p->vendor = "Souk Demo";
    p->product_type = (char *)item->type;
    p->google_product_category = (char *)item->google_category;
    p->condition = "new";
    p->ntags = 2;
    p->tags = souk_pool_alloc(pool, 2 * sizeof *p->tags);
    p->tags[0] = "demo";
    p->tags[1] = slug(pool, item->type);
    p->ntranslations = 2;
    p->translations = souk_pool_alloc(pool, 2 * sizeof *p->translations);
    p->translations[0] = (struct souk_translation){"de", (char *)item->title_de, NULL};
    p->translations[1] = (struct souk_translation){"pt-BR", (char *)item->title_pt, NULL};
    p->nmedia = 1;
    p->media = souk_pool_alloc(pool, sizeof *p->media);
    p->media[0] = (struct souk_media){
        1, souk_pool_printf(pool, "https://demo.souk.example/images/%s.jpg", p->handle),
        (char *)item->title};
    size_t nvariants = 0;
    while (item->option && nvariants < 4 && item->values[nvariants])
        nvariants++;
    if (item->option)
        p->option_names[0] = (char *)item->option;
    p->nvariants = nvariants ? nvariants : 1;
    p->variants = souk_pool_alloc(pool, p->nvariants * sizeof *p->variants);
    for (size_t v = 0; v < p->nvariants; v++)
        fill_variant(pool, item, index, v, &p->variants[v]);
    return souk_catalog_product_create(conn, pool, p, err);
}

static int count_products(struct souk_db_conn *conn, int64_t *count, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, "SELECT COUNT(*) FROM products", &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    *count = souk_db_col_i64(st, 0);
    return SOUK_OK;
}

int souk_demo_seed(struct souk_db *db, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_pool *pool = souk_pool_new();
    int64_t existing = 0;
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    if (rc == SOUK_OK)
        rc = count_products(conn, &existing, err);
    if (rc == SOUK_OK && existing == 0) {
        rc = seed_warehouses(conn, pool, err);
        for (size_t i = 0; i < NITEMS && rc == SOUK_OK; i++)
            rc = seed_product(conn, pool, i, err);
        if (rc == SOUK_OK)
            rc = souk_db_commit(conn, err);
        if (rc == SOUK_OK)
            souk_log(SOUK_LOG_INFO, "seeded the demo catalog", "products", "36", "warehouses",
                     "2", NULL);
    }
    souk_db_release(conn);
    souk_pool_free(pool);
    return rc;
}
