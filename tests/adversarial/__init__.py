"""The gate's adversarial corpus: crafted drafts with the verdict each must get, run directly and
end to end (see corpus.py for the cases, profiles.py for the books they are about)."""
