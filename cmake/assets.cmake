# Files compiled into the binary. Add new assets here and declare them in src/core/assets.h.
mcpreg_embed(kAssetOpenApiYaml assets/openapi.yaml)
mcpreg_embed(kAssetDemoCatalog data/demo-catalog.json)
# server.json JSON Schemas (official registry specification files; see assets/schemas/README.md).
mcpreg_embed(kAssetSchema20250709 assets/schemas/2025-07-09.json)
mcpreg_embed(kAssetSchema20250916 assets/schemas/2025-09-16.json)
mcpreg_embed(kAssetSchema20250929 assets/schemas/2025-09-29.json)
mcpreg_embed(kAssetSchema20251011 assets/schemas/2025-10-11.json)
mcpreg_embed(kAssetSchema20251017 assets/schemas/2025-10-17.json)
mcpreg_embed(kAssetSchema20251211 assets/schemas/2025-12-11.json)
mcpreg_embed(kAssetSchemaDraft assets/schemas/draft.json)
# PostgreSQL schema migrations (src/store/postgres/pg_migrations.cc lists them).
mcpreg_embed(kAssetPgMigration0001 src/store/postgres/migrations/0001_init.sql)
mcpreg_embed(kAssetPgMigration0002 src/store/postgres/migrations/0002_shared_state.sql)
mcpreg_embed(kAssetPgMigration0003 src/store/postgres/migrations/0003_mirror.sql)
mcpreg_embed(kAssetPgMigration0004 src/store/postgres/migrations/0004_webhook_deliveries.sql)
# The browser interface (src/api/web/): served under /assets/ (WebUi::Asset).
mcpreg_embed(kAssetWebCss assets/web/app.css)
mcpreg_embed(kAssetWebCatalogJs assets/web/catalog.js)
mcpreg_embed(kAssetWebConsoleJs assets/web/console.js)
