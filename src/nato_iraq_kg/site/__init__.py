"""The static site: every IRI's page and RDF files, the dumps and the pages, for any web server.

Most datasets publish their IRIs this way, so that they resolve without a program running: a
folder of files, an Apache ``.htaccess`` that picks the file a client's ``Accept`` asks for, and
the redirect file for w3id.org. The pages are the server's own renderers (:mod:`..serve`), with
their links made relative so the folder works from any address, even a plain static server.
"""
