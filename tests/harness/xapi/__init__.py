"""A XenAPI server for tests: XAPI's wire protocol and object model, kept in memory.

Nova's XenAPI driver talks to it through the unmodified ``XenAPI`` client, as it
would to a XenServer / XCP-ng host: XML-RPC with XAPI's Status/Value/
ErrorDescription envelope, opaque refs, session.login_with_password,
``Class.message`` names, ``Async.`` tasks, ``event.from``, XAPI's error codes
and power-state machine, and the /import_raw_vdi and /export_raw_vdi
handlers. Written from the XenAPI reference (classes, fields, messages,
errors); it is not XAPI, and ``doc/xenapi.md`` lists what a real host adds.

- ``server.XapiServer``: serve in this process (threads) -- unit tests;
- ``python -m tests.harness.xapi``: serve as a process -- integration tests,
  driven through ``control.XapiProcess``.
"""
