// Catalog page behaviour: as-you-type search, copy buttons.
