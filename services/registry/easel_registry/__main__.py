from easel_registry.main import main

main()
