# cmake -DIN=svmx.7.in -DOUT=svmx.7 -DSETTINGS=<svmx-settings --man output>
#       -DSVMX_LAYER_FILE=<installed layer> -P gen-man.cmake
file(READ ${SETTINGS} SVMX_SETTINGS_MAN)
string(STRIP "${SVMX_SETTINGS_MAN}" SVMX_SETTINGS_MAN)
configure_file(${IN} ${OUT} @ONLY)
