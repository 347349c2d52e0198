"""Suite-wide test settings. Kept free of Django so domain tests run without it."""

from hypothesis import settings

# No per-example deadline: wall-clock limits make tests flaky on a busy 2-core CI machine;
# performance is measured in benchmarks/.
settings.register_profile("smertespor", deadline=None, print_blob=True)
settings.load_profile("smertespor")
