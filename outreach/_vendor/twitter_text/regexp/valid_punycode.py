import re

valid_punycode = re.compile(r'(?:xn--[\-0-9a-z]+)')
