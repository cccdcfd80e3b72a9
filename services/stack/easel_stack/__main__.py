from easel_stack.cli import main

main()
