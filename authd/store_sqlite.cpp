// placeholder, replaced by the store helper
