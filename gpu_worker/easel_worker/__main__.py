from easel_worker.main import main

main()
