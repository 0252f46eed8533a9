"""The HTTP contract: request and response models and the shape of errors."""
