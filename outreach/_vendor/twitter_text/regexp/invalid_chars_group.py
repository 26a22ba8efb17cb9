invalid_chars_group = r'\uFFFE\uFEFF\uFFFF'
