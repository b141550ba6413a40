"""`python -m concurso_coach.parity`: the `coach parity` command on its own."""

from concurso_coach.parity.cli import parity_command

if __name__ == "__main__":
    parity_command()
