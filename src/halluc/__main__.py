from halluc.cli import main

main()
