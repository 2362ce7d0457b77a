# frontend/leaks.mk
