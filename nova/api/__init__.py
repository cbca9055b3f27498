"""Front ends: they translate HTTP into calls on the public APIs and back."""
