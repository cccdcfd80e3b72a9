"""The AUTOMATIC1111 web UI's API (/sdapi/v1, /controlnet, /inference, /internal/progress) over Easel jobs, so
web UI clients work unchanged: every call is authenticated, queued and run as the caller's own job(s)."""

from easel_gateway.sdapi import controlnet, generate, inference, interrogate, lists, options, progress, train

ROUTERS = (generate.router, lists.router, options.router, progress.router, controlnet.router, inference.router,
           train.router, interrogate.router)
