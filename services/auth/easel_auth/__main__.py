from easel_auth.main import main

main()
