from concurso_coach.cli import main

main()
