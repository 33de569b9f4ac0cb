from scrapelint.console import main

main()
