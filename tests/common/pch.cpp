// The translation unit that builds its directory's shared test header (hermes_test_pch).
