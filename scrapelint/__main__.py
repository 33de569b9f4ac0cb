from scrapelint.cli import entry

entry()
