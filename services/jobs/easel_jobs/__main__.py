from easel_jobs.main import main

main()
