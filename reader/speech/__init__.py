"""Read-aloud: spoken form, synthesis on the machine's own voices, audio encoding and cache."""
