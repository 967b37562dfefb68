from pingdesk.cli.main import main

raise SystemExit(main())
