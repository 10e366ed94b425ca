from copiloto.cli import main

raise SystemExit(main())
