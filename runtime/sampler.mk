# runtime/sampler.mk: the sampler every command samples through.
