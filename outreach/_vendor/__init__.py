"""Third-party code kept in the tree; README.md says what, why and what was changed."""
