from scrapelint.cli import main

main()
