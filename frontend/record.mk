# frontend/record.mk
