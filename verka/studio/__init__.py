"""The Studio: the digitalisation team builds, tests and publishes e-services in the browser."""
