from autost.cli import main

main()
