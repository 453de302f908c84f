# Files compiled into the binary. Add new assets here and declare them in src/core/assets.h.
mcpreg_embed(kAssetOpenApiYaml assets/openapi.yaml)
mcpreg_embed(kAssetDemoCatalog data/demo-catalog.json)
