# Copyright (c) hallucinet_mm contributors. All rights reserved.
