# frontend/serve.mk
