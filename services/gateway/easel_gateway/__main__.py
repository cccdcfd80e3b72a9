from easel_gateway.main import main

main()
