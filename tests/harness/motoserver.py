#!/usr/bin/env python3
"""moto's server, with the Firehose per-region stream quota raised from 50 to 1000 (AWS raises
it on request too), so the scale test can seed 150 streams. Arguments as for `moto_server`."""
import sys

from moto.firehose.models import DeliveryStream
from moto.server import main

DeliveryStream.MAX_STREAMS_PER_REGION = 1000

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
