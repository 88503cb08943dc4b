from saylau.cli.main import app

app(prog_name="saylau")
